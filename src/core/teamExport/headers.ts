// The headers a collector may require (an API token, a tenant id), as the user types them: the
// OTEL_EXPORTER_OTLP_HEADERS form, `name=value` pairs separated by commas, values URL-encoded if they
// hold a comma. They are kept in SecretStorage and sent only to the collector: never in settings or logs.

import * as l10n from '@vscode/l10n';
import { userError } from '../errors';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The headers in `text`; throws a PennyError naming the first pair that is not `name=value`. */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const pairs = text.split(',');
  for (const [index, pair] of pairs.entries()) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    const name = equals > 0 ? pair.slice(0, equals).trim() : '';
    // The message never repeats what was typed: it may be the token itself.
    if (!HEADER_NAME.test(name)) throw userError(l10n.t('Header {0} is not name=value: write name=value pairs, separated by commas.', index + 1));
    let value = pair.slice(equals + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // not encoded: taken as typed
    }
    headers[name] = value;
  }
  return headers;
}
