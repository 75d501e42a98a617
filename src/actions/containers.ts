// Start, stop and restart of one container as plans, and its blast radius: how long it has been
// up and which containers depend on it (compose depends_on, legacy links, shared network stack).
import type { ContainerInspect, DockerEngine } from '../docker/index.js';
import { dockerError } from './docker-errors.js';
import { ActionError, errorText } from '../plan/errors.js';
import type { Plan, Step } from '../plan/plan.js';
import { sleep } from '../plan/sleep.js';
import { durationLong } from '../present/format.js';

export type ContainerVerb = 'start' | 'stop' | 'restart';

export interface ContainerPlanOptions {
  /** Grace before the engine kills the container, in ms (config docker.stopTimeout). */
  stopTimeoutMs: number;
  /** How long the container must stay up after a start to count as started (default 1 s). */
  settleMs?: number;
  now?: () => number;
}

/** A plan that starts, stops or restarts container `name`. */
export function containerPlan(
  docker: DockerEngine,
  verb: ContainerVerb,
  name: string,
  opts: ContainerPlanOptions,
): Plan {
  const t = Math.max(0, Math.round(opts.stopTimeoutMs / 1000));
  const ref = docker.container(name);
  const act: Step = {
    id: verb,
    title: `${verb} container ${name}`,
    describe: () => ({
      kind: 'api',
      text: `POST /containers/${encodeURIComponent(name)}/${verb}${verb === 'start' ? '' : `?t=${t}`}`,
    }),
    run: async () => {
      try {
        if (verb === 'start') await ref.start();
        else if (verb === 'stop') await ref.stop({ t });
        else await ref.restart({ t });
      } catch (err) {
        throw dockerError(err, name, verb);
      }
    },
  };
  const verify: Step = {
    id: 'verify',
    title: `check container ${name} is ${verb === 'stop' ? 'stopped' : 'running'}`,
    describe: () => ({
      kind: 'check',
      text: `GET /containers/${encodeURIComponent(name)}/json → State.Running is ${verb !== 'stop'}`,
    }),
    cancellable: true,
    run: async (ctx) => {
      if (verb !== 'stop') await sleep(opts.settleMs ?? 1000, ctx.signal);
      let info: ContainerInspect;
      try {
        info = await ref.inspect(ctx.signal);
      } catch (err) {
        throw dockerError(err, name, 'inspect');
      }
      const s = info.State;
      if (verb === 'stop' && s.Running) throw new ActionError('failed', `container ${name} is still running`);
      if (verb !== 'stop' && !s.Running) {
        const why = s.Restarting
          ? 'is restarting'
          : `exited right after starting (exit code ${s.ExitCode}${s.Error ? `, ${s.Error}` : ''})`;
        throw new ActionError('failed', `container ${name} ${why}`);
      }
      return verb === 'stop' ? `exit code ${s.ExitCode}` : s.Health ? `health: ${s.Health.Status}` : undefined;
    },
  };
  return {
    action: `container.${verb}`,
    target: name,
    danger: verb === 'start' ? 'safe' : 'confirm',
    steps: [act, verify],
    blastRadius: (signal) => containerBlastRadius(docker, name, signal, opts.now),
  };
}

/** Uptime, health and dependents of container `name`, one line each; never throws. */
export async function containerBlastRadius(
  docker: DockerEngine,
  name: string,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<string[]> {
  let target: ContainerInspect;
  try {
    target = await docker.container(name).inspect(signal);
  } catch (err) {
    return [`cannot inspect ${name}: ${errorText(dockerError(err, name, 'inspect'))}`];
  }
  const lines: string[] = [uptimeLine(target, now())];
  const project = target.Config.Labels?.['com.docker.compose.project'];
  const service = target.Config.Labels?.['com.docker.compose.service'];
  if (project && service) lines.push(`part of compose project ${project} (service ${service})`);
  try {
    const deps = await dependentsOf(docker, target, signal);
    const noun = deps.length === 1 ? 'container' : 'containers';
    const listed = deps.map((d) => `${d.name} (${d.state}, ${d.via})`).join(', ');
    lines.push(
      deps.length === 0
        ? 'no other container depends on it (compose depends_on, links, network_mode)'
        : `${deps.length} dependent ${noun}: ${listed}`,
    );
  } catch (err) {
    lines.push(`dependents unknown: ${errorText(dockerError(err, name, 'list'))}`);
  }
  return lines;
}

function uptimeLine(info: ContainerInspect, now: number): string {
  const s = info.State;
  const health = s.Health ? `, ${s.Health.Status}` : '';
  const restarts = info.RestartCount > 0 ? `, restarted ${info.RestartCount}×` : '';
  if (s.Running) {
    const since = Date.parse(s.StartedAt);
    return `running for ${Number.isNaN(since) ? '?' : durationLong(Math.max(0, now - since))}${health}${restarts}`;
  }
  const ended = Date.parse(s.FinishedAt);
  const ago = Number.isNaN(ended) || ended <= 0 ? '' : ` ${durationLong(Math.max(0, now - ended))} ago`;
  return `not running (${s.Status}${ago}, exit code ${s.ExitCode})${restarts}`;
}

export interface Dependent {
  name: string;
  state: string;
  via: 'depends_on' | 'link' | 'network_mode';
}

/** Containers that reference `target` through compose depends_on, links, or `container:` network mode. */
export async function dependentsOf(
  docker: DockerEngine,
  target: ContainerInspect,
  signal?: AbortSignal,
): Promise<Dependent[]> {
  const all = await docker.listContainers({ all: true, signal });
  const tName = target.Name.replace(/^\//, '');
  const tProject = target.Config.Labels?.['com.docker.compose.project'];
  const tService = target.Config.Labels?.['com.docker.compose.service'];
  const out: Dependent[] = [];
  const others = all.filter((c) => c.Id !== target.Id);
  // Links are only in the full inspect; a handful at a time keeps a busy engine responsive.
  for (let i = 0; i < others.length; i += 8) {
    const batch = others.slice(i, i + 8);
    const infos = await Promise.all(
      batch.map((c) =>
        docker
          .container(c.Id)
          .inspect(signal)
          .catch(() => null),
      ),
    );
    for (const info of infos) {
      if (!info) continue;
      const via = referenceVia(info, target.Id, tName, tProject, tService);
      if (via) out.push({ name: info.Name.replace(/^\//, ''), state: info.State.Status, via });
    }
  }
  return out;
}

/** How `info` refers to the target, if it does (pure; exported for tests). */
export function referenceVia(
  info: Pick<ContainerInspect, 'Config' | 'HostConfig'>,
  tId: string,
  tName: string,
  tProject?: string,
  tService?: string,
): Dependent['via'] | null {
  const labels = info.Config.Labels ?? {};
  const dependsOn = labels['com.docker.compose.depends_on'];
  // Format: "db:service_healthy:false,cache:service_started:true" — service names in the same project.
  if (dependsOn && tService && labels['com.docker.compose.project'] === tProject) {
    if (dependsOn.split(',').some((d) => d.split(':')[0] === tService)) return 'depends_on';
  }
  const links = (info.HostConfig.Links ?? []) as string[];
  if (links.some((l) => l.split(':')[0]?.replace(/^\//, '') === tName)) return 'link';
  const mode = info.HostConfig.NetworkMode ?? '';
  if (mode.startsWith('container:')) {
    const ref = mode.slice('container:'.length);
    if (ref === tName || ref === tId || (ref.length >= 12 && tId.startsWith(ref))) return 'network_mode';
  }
  return null;
}
