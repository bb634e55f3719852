// Penny's log: a LogOutputChannel named Penny. Messages are redacted before they are written.
import * as vscode from 'vscode';
import { redactSecrets } from '../core/errors';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(): Logger & vscode.Disposable {
  const channel = vscode.window.createOutputChannel('Penny', { log: true });
  return {
    info: (message) => channel.info(redactSecrets(message)),
    warn: (message) => channel.warn(redactSecrets(message)),
    error: (message) => channel.error(redactSecrets(message)),
    dispose: () => channel.dispose(),
  };
}
