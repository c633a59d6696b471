/** A small, strict argument parser: `--name value`, `--flag`, and positionals. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: string[], flags: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq > 0) options.set(name, arg.slice(eq + 1));
      else if (flags.includes(name)) options.set(name, true);
      else if (i + 1 < argv.length) options.set(name, argv[++i]);
      else options.set(name, true);
    } else positionals.push(arg);
  }
  return { positionals, options };
}
