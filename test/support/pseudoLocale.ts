// Pseudo-localization turns every ASCII letter into an accented one: a run of two ASCII letters left
// in translated text is English that did not go through l10n.

/** The English words of `text`, the `kept` names (models, hosts, the brand: no words to translate) left out. */
export function englishWords(text: string, kept: readonly string[]): string[] {
  let rest = text;
  // Longest first: "gpt-4o" must not eat the start of "gpt-4o-mini" and leave "mini".
  for (const name of [...kept].sort((a, b) => b.length - a.length)) rest = rest.split(name).join(' ');
  return rest.match(/[A-Za-z]{2,}/g) ?? [];
}
