// A one-line text prompt (arming minutes and reason, the Logs filter): the text lives in the
// action store, the function that takes the answer lives here. An answer may be refused with a
// reason in words; the prompt then stays open with the reason under it.
import { errorText } from '../../plan/errors.js';
import type { ActionStore } from '../../state/action-state.js';

/** One prompt: what it asks, and the function that takes the answer. */
export interface PromptSpec {
  id: string;
  title: string;
  label: string;
  initial?: string;
  note?: string;
  /** Takes the answer: resolve to null to close, or to a reason to keep asking. */
  accept(text: string): string | null | Promise<string | null>;
  /** Called on Esc. */
  cancel?(): void;
}

/** Owns the open prompt's callbacks. */
export class PromptFlow {
  private spec: PromptSpec | null = null;
  private busy = false;

  constructor(private readonly store: ActionStore) {}

  /** Opens `spec`, replacing any open prompt. */
  open(spec: PromptSpec): void {
    this.spec = spec;
    this.busy = false;
    this.store.getState().set({
      prompt: {
        id: spec.id,
        title: spec.title,
        label: spec.label,
        text: spec.initial ?? '',
        note: spec.note ?? null,
        error: null,
      },
    });
  }

  /** 'input' while a prompt is open. */
  mode(): 'input' | null {
    return this.store.getState().prompt ? 'input' : null;
  }

  /** Deletes the last character typed. */
  erase(): void {
    const p = this.store.getState().prompt;
    if (p) this.store.getState().patchPrompt({ text: p.text.slice(0, -1), error: null });
  }

  /** Esc: closes the prompt without an answer. */
  cancel(): void {
    const spec = this.spec;
    if (!spec) return;
    this.closeIf(spec);
    spec.cancel?.();
  }

  /** Enter: hands the answer to the prompt's owner. */
  submit(): void {
    const p = this.store.getState().prompt;
    if (p && this.spec) this.accept(this.spec, p.text);
  }

  /** Typed text. */
  type(text: string): void {
    const p = this.store.getState().prompt;
    if (p && !this.busy) this.store.getState().patchPrompt({ text: (p.text + text).slice(0, 200), error: null });
  }

  private accept(spec: PromptSpec, text: string): void {
    if (this.busy) return;
    this.busy = true;
    Promise.resolve()
      .then(() => spec.accept(text))
      .then(
        (error) => this.answered(spec, error),
        (err: unknown) => this.answered(spec, errorText(err)),
      );
  }

  private answered(spec: PromptSpec, error: string | null): void {
    if (this.spec !== spec) return;
    this.busy = false;
    if (error === null) this.closeIf(spec);
    else this.store.getState().patchPrompt({ error });
  }

  private closeIf(spec: PromptSpec): void {
    if (this.spec !== spec) return;
    this.spec = null;
    this.store.getState().set({ prompt: null });
  }
}
