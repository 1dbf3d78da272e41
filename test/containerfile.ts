/** The repository's Containerfile read by a Dockerfile parser (dockerfile-ast) into its stages, for the tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';

export interface ImageStage {
  readonly name: string | undefined;
  readonly from: string;
  readonly workdir: string;
  readonly env: Map<string, string>;
  /** In order, each instruction's own words. */
  readonly steps: readonly ({ kind: 'RUN'; command: string } | { kind: 'COPY'; copy: ImageCopy })[];
  readonly runs: readonly string[];
  readonly copies: readonly ImageCopy[];
  readonly cmd: readonly string[];
  readonly user: string | undefined;
}

export interface ImageCopy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly destination: string;
}

export function readContainerfile(): string {
  return readFileSync(join(process.cwd(), 'Containerfile'), 'utf8');
}

/** The Containerfile's two stages: the build stage (named build) and the runtime stage after it. */
export function imageStages(text: string): { build: ImageStage; runtime: ImageStage } {
  const stages: ImageStage[] = [];
  let current: { -readonly [K in keyof ImageStage]: ImageStage[K] } | undefined;
  for (const instruction of DockerfileParser.parse(text).getInstructions() as Instruction[]) {
    const words = instruction.getArguments().map((a) => a.getValue());
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      current = {
        name: words[2],
        from: words[0]!,
        workdir: '/',
        env: new Map(),
        steps: [],
        runs: [],
        copies: [],
        cmd: [],
        user: undefined,
      };
      stages.push(current);
      continue;
    }
    if (!current) throw new Error(`${keyword} before FROM`);
    if (keyword === 'WORKDIR') current.workdir = words[0]!;
    else if (keyword === 'ENV') for (const w of words) current.env.set(w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1));
    else if (keyword === 'RUN') {
      const command = instruction.getArgumentsContent() ?? '';
      current.runs = [...current.runs, command];
      current.steps = [...current.steps, { kind: 'RUN', command }];
    } else if (keyword === 'COPY') {
      const from = (instruction as Copy).getFromFlag()?.getValue() ?? undefined;
      const copy: ImageCopy = { from, sources: words.slice(0, -1), destination: words[words.length - 1]! };
      current.copies = [...current.copies, copy];
      current.steps = [...current.steps, { kind: 'COPY', copy }];
    } else if (keyword === 'CMD') current.cmd = JSON.parse(instruction.getArgumentsContent() ?? '[]') as string[];
    else if (keyword === 'USER') current.user = words[0];
  }
  const build = stages.find((s) => s.name === 'build');
  const runtime = stages[stages.length - 1];
  if (!build || !runtime || build === runtime) throw new Error('the Containerfile has no build stage and runtime stage after it');
  return { build, runtime };
}
