import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, validateVolumeName } from './volumes.js';

test("volume names: dockerd's local driver's rules and messages (Go's %q for the name)", () => {
  const refused: [string, string][] = [
    ['x', 'create x: volume name is too short, names should be at least two alphanumeric characters'],
    ['.', 'create .: volume name is too short, names should be at least two alphanumeric characters'],
    ['../x', 'create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'],
    ['a\u0000b', 'create a\u0000b: "a\\x00b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'],
    ['a'.repeat(256), `create ${'a'.repeat(256)}: volume name is too long, names can be at most 255 characters`],
  ];
  for (const [name, message] of refused) assert.throws(() => validateVolumeName(name), (e: Error) => e.message === message, JSON.stringify(name));
  validateVolumeName('a'.repeat(255));
  validateVolumeName('ok.name_1-x');
  assert.equal(goQuote('a"b\\c\n\t\u007f'), '"a\\"b\\\\c\\n\\t\\x7f"');
});
