// Day and month keys. Spending is grouped by the LOCAL day and month (users think of "today" in their
// own time zone); ledger files are named by the UTC month, so a record's file never depends on it.

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** YYYY-MM-DD of the local day. */
export function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

/** YYYY-MM of the local month. */
export function localMonth(date: Date): string {
  return localDay(date).slice(0, 7);
}

/**
 * `localDay` of epoch milliseconds, for many times: memoized per UTC quarter hour, as every time zone
 * offset in use, and every daylight-saving switch, falls on a quarter hour, so all times in one share
 * a local day. Make one per read, so a memo never outlives a change of time zone for long.
 */
export function localDayMemo(): (ms: number) => string {
  const days = new Map<number, string>();
  return (ms) => {
    const quarter = Math.floor(ms / 900_000);
    let day = days.get(quarter);
    if (day === undefined) days.set(quarter, (day = localDay(new Date(ms))));
    return day;
  };
}

/** YYYY-MM of the UTC month. */
export function utcMonth(date: Date): string {
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}`;
}

/** The month (YYYY-MM) `monthsBack` months before `month`. */
export function monthsBefore(month: string, monthsBack: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - monthsBack;
  return `${Math.floor(index / 12)}-${pad2((index % 12) + 1)}`;
}
