/** One benchmark figure: opsdeck's median against a baseline measured in the same run. */
export interface Row {
  name: string;
  unit: string;
  opsdeck: number;
  baseline: number;
  baselineName: string;
  /** The target, as text (e.g. "< 0.5 %"). */
  target?: string;
}
