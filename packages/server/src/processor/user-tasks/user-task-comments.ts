// Comments on a UserTaskRun live only in its event log: an added comment gets the next id
// (1, 2, ...), and later edits or deletions of it are further events. The latest event about a
// comment id says what state it is in.
import type { UserTaskRun } from '@filly/proto';
import { failedPrecondition, notFound } from '../api-error.ts';

type CommentEventKind = 'commentAdded' | 'commentEdited' | 'commentDeleted';

interface CommentIndex {
  /** Ids handed out so far; the next comment gets count + 1. */
  count: number;
  latest: Map<number, CommentEventKind>;
}

export function indexComments(utr: UserTaskRun): CommentIndex {
  const latest = new Map<number, CommentEventKind>();
  let count = 0;
  for (const e of utr.events) {
    const ev = e.event;
    if (ev?.$case === 'commentAdded') {
      count += 1;
      latest.set(ev.value.userCommentId, ev.$case);
    } else if (ev?.$case === 'commentEdited' || ev?.$case === 'commentDeleted') {
      latest.set(ev.value.userCommentId, ev.$case);
    }
  }
  return { count, latest };
}

/** Throws unless the comment exists and is not deleted; `verb` says what was attempted. */
export function requireLiveComment(utr: UserTaskRun, id: number, verb: 'edited' | 'deleted'): void {
  const state = indexComments(utr).latest.get(id);
  if (state === undefined) throw notFound(`No comment exists for the provided comment ID: ${id}`);
  if (state === 'commentDeleted') {
    throw failedPrecondition(`The specified comment cannot be ${verb} because it has already been deleted.`);
  }
}
