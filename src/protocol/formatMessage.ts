/**
 * Fills `{0}`, `{1}`… in a message as `vscode.l10n.t` does (a placeholder without its argument
 * stays as it is). The extension translates message templates with `vscode.l10n.t`; code that
 * cannot import `vscode` (the webviews, presentation tested in plain Node) fills them with this.
 */
export function formatMessage(template: string, args: readonly (string | number | boolean)[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{(\d+)\}/g, (match, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? match : String(value);
  });
}
