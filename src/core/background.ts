// Work started without waiting for it (fire and forget). Nobody awaits such a promise, so a failure
// would be an unhandled rejection: it is caught here and told, with what was being done.
import { errorMessage } from './errors';

/** Runs `work` in the background; a failure is reported as "`what`: message", never left unhandled. */
export function runInBackground(work: PromiseLike<unknown>, what: string, onError: (message: string) => void): void {
  Promise.resolve(work).catch((error: unknown) => onError(`${what}: ${errorMessage(error)}`));
}
