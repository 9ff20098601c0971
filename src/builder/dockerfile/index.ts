/**
 * builder/dockerfile — the Dockerfile front end: parse text into stages of
 * typed instructions and expand their variables the way BuildKit does.
 * See docs/dockerfile-parser.md. Pure; imports only errdefs.
 */

export { parseDockerfile, instructionsFromAst, parseInstruction, parseGoDuration, INSTRUCTION_NAMES } from './instructions.js';
export type {
  AddInstruction, ArgDefinition, ArgInstruction, CmdInstruction, CommandLine, CopyInstruction,
  EntrypointInstruction, EnvInstruction, ExposeInstruction, FromInstruction, HealthcheckInstruction,
  HeredocSource, Instruction, InstructionBase, KeyValuePair, LabelInstruction, MaintainerInstruction,
  OnbuildInstruction, ParseResult, RunHeredoc, RunInstruction, ShellInstruction, Stage,
  StopsignalInstruction, UserInstruction, VolumeInstruction, WorkdirInstruction,
} from './instructions.js';
export { DockerfileParseError, parseAst, chompHeredocContent } from './parser.js';
export type { Ast, Directive, EscapeChar, Heredoc, Node, Warning } from './parser.js';
export { expandWord, expandWords, processWordFull } from './shell-lexer.js';
export type { Env, LexOptions, ProcessResult } from './shell-lexer.js';
export { createStageScope, expandFrom, expandInstruction, expandMount, resolveMetaArgs } from './expand.js';
export type { MetaArgOptions, StageScope, StageScopeOptions } from './expand.js';
