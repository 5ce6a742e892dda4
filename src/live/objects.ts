import type { RequestContext } from '../context.js';
import { isJobFinished } from '../upstreams/sdrs/jobs.js';
import type { SdrsJob } from '../upstreams/sdrs/types.js';
import { type LiveKind, hasSettled } from './transitional.js';

/** The objects a subscription can follow: one Subscription field each. */
export type WatchedKind = Extract<LiveKind, 'group' | 'groupSnapshot' | 'shareGroup' | 'shareGroupSnapshot' | 'protectionGroup' | 'job'>;

/** The object as the upstream answers it now; null when it does not exist (404). */
export function readObject(ctx: RequestContext, kind: WatchedKind, id: string): Promise<object | null> {
  switch (kind) {
    case 'group':
      return ctx.cinder().loaders.groupById.load(id);
    case 'groupSnapshot':
      return ctx.cinder().loaders.groupSnapshotById.load(id);
    case 'shareGroup':
      return ctx.manila().loaders.shareGroupById.load(id);
    case 'shareGroupSnapshot':
      return ctx.manila().loaders.shareGroupSnapshotById.load(id);
    case 'protectionGroup':
      return ctx.sdrs().loaders.groupById.load(id);
    case 'job':
      return ctx.sdrs().loaders.jobById.load(id);
  }
}

/** Work in progress upstream: the poller reads again soon. */
export function isBusy(kind: WatchedKind, object: object | null): boolean {
  return !hasSettled(kind, object as { status?: string | null } | null);
}

/** Nothing more will happen to it: a finished job (its subscription completes after this event). */
export function isFinal(kind: WatchedKind, object: object | null): boolean {
  return kind === 'job' && object !== null && isJobFinished(object as SdrsJob);
}
