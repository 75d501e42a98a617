// The parts of the Docker Engine API's answers that opsdeck reads (names as the engine spells
// them). Fields the engine may omit are optional; nothing here is trusted to be present.

export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  Os: string;
  Arch: string;
}

/** One entry of `GET /containers/json`. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  /** created | running | paused | restarting | removing | exited | dead */
  State: string;
  /** e.g. "Up 3 minutes (healthy)" */
  Status: string;
  Labels?: Record<string, string> | null;
}

/** `GET /containers/{id}/json`. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  RestartCount: number;
  State: {
    Status: string;
    Running: boolean;
    Restarting?: boolean;
    ExitCode: number;
    Error?: string;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string } | null;
    Pid?: number;
  };
  Config: { Labels?: Record<string, string> | null; Tty?: boolean; Image?: string };
  HostConfig: { Links?: string[] | null; NetworkMode?: string };
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** `GET /containers/{id}/stats?stream=0`. */
export interface ContainerStats {
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
}

/** The body of `POST /containers/create` (the fields we send). */
export interface ContainerCreateSpec {
  Image: string;
  Cmd?: string[];
  Env?: string[];
  Labels?: Record<string, string>;
  Tty?: boolean;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
  HostConfig?: { NetworkMode?: string; RestartPolicy?: { Name: string; MaximumRetryCount?: number } };
}
