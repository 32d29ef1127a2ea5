// promptune completion bash|zsh|fish: a completion script for the user's shell, listing the verbs and each verb's
// flags as its --help declares them, so completion never offers a flag the verb does not take.
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

const HELP = `Usage: promptune completion bash|zsh|fish

Prints a completion script for the shell: verbs, then each verb's flags (and file names where a value goes).
  bash   echo 'source <(promptune completion bash)' >> ~/.bashrc
  zsh    echo 'source <(promptune completion zsh)' >> ~/.zshrc
  fish   promptune completion fish > ~/.config/fish/completions/promptune.fish`;

/** The flags a verb's help text declares (every "--name" in it), plus --help. */
export function flagsOf(command: Pick<Command, 'help'>): string[] {
  const found = [...command.help.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => `--${m[1]}`);
  return [...new Set([...found, '--help'])].sort();
}

function bash(commands: readonly Command[]): string {
  const cases = commands.map((c) => `    ${c.name}) opts="${flagsOf(c).join(' ')}" ;;`).join('\n');
  return `# promptune completion for bash (zsh: the same through bashcompinit)
_promptune() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')} help --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    help) COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')}" -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _promptune promptune
`;
}

function fish(commands: readonly Command[]): string {
  const quote = (s: string) => `'${s.replaceAll("'", "\\'")}'`;
  const lines = [
    '# promptune completion for fish',
    'complete -c promptune -f',
    ...commands.map((c) => `complete -c promptune -n __fish_use_subcommand -a ${c.name} -d ${quote(c.summary)}`),
    ...commands.flatMap((c) =>
      flagsOf(c).map((f) => `complete -c promptune -n '__fish_seen_subcommand_from ${c.name}' -l ${f.slice(2)} -r -F`),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** The completion verb over `commands` (given late: the verb list includes this verb). */
export function completionCommand(commands: () => readonly Command[]): Command {
  return {
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh, fish)',
    help: HELP,
    async run(argv, io) {
      const [shell, ...rest] = argv;
      if (!shell || rest.length || !(SHELLS as readonly string[]).includes(shell))
        throw new UsageError(`expected "promptune completion bash", "zsh" or "fish"${shell ? `, got "${argv.join(' ')}"` : ''}`);
      const all = commands();
      const text =
        shell === 'fish'
          ? fish(all)
          : shell === 'zsh'
            ? `#compdef promptune\nautoload -U +X bashcompinit && bashcompinit\n${bash(all)}`
            : bash(all);
      io.stdout.write(text);
      return 0;
    },
  };
}
