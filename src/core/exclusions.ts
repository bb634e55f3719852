// Files whose content Penny never sends: secrets by default, plus the user's globs.
export const DEFAULT_EXCLUDES = ['.env*', '*.pem', '*.key', 'id_rsa*', 'secrets/'];

/**
 * Glob rules, gitignore-like: a pattern without a slash matches a file or folder name at any depth;
 * a pattern ending in `/` matches a folder and everything under it; `**` crosses folders.
 */
export function compileExcludes(patterns: readonly string[]): (relativePath: string) => boolean {
  const matchers = patterns.filter((p) => p.trim() !== '').map(compile);
  return (relativePath) => {
    const path = relativePath.replace(/\\/g, '/').replace(/^\.\//, '');
    return matchers.some((match) => match(path));
  };
}

function compile(pattern: string): (path: string) => boolean {
  const folder = pattern.endsWith('/');
  const body = pattern.replace(/\/+$/, '').replace(/^\//, '');
  const anchored = pattern.replace(/\/+$/, '').includes('/');
  const regex = new RegExp(`^${globToRegex(body)}$`);
  return (path) => {
    const segments = path.split('/');
    if (anchored) {
      // Match the pattern against the path or, for folders, any leading part of it.
      for (let n = folder ? 1 : segments.length; n <= segments.length; n++) {
        if (regex.test(segments.slice(0, n).join('/'))) return true;
      }
      return false;
    }
    const candidates = folder ? segments.slice(0, -1) : segments;
    return candidates.some((segment) => regex.test(segment));
  };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else out += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}
