import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goPrint, parseFormat, renderHeader, renderTemplate } from './template.js';

const inspect = {
  Id: 'abc',
  Name: '/web',
  State: { Status: 'running', Running: true, ExitCode: 0, Health: null },
  Config: { Env: ['A=1', 'B=2'], Labels: { b: '2', a: '1' }, Cmd: ['sh', '-c', 'echo hi'] },
};

test('renderTemplate: fields, json, functions, pipes', () => {
  const cases: [string, string][] = [
    ['{{.State.Status}}', 'running'],
    ['{{.State.Running}} {{.State.ExitCode}}', 'true 0'],
    ['{{.Id}}:{{.Name}}', 'abc:/web'],
    ['{{json .Config.Env}}', '["A=1","B=2"]'],
    ['{{json .State}}', '{"Status":"running","Running":true,"ExitCode":0,"Health":null}'],
    ['{{.Config.Env}}', '[A=1 B=2]'],
    ['{{.Config.Labels}}', 'map[a:1 b:2]'],
    ['{{.State.Health}}', '<nil>'],
    ['{{.Nope}}', '<no value>'],
    ['{{.Nope.Deeper}}', '<no value>'],
    ['{{index .Config.Labels "a"}}', '1'],
    ['{{join .Config.Cmd " "}}', 'sh -c echo hi'],
    ['{{.State.Status | upper}}', 'RUNNING'],
    ['{{upper (index .Config.Labels "b")}}', '2'],
    ['{{len .Config.Env}}', '2'],
    ['x {{- " y" -}}  z', 'x yz'],
    ['{{json .}}', JSON.stringify(inspect)],
    ['plain text', 'plain text'],
  ];
  for (const [tpl, want] of cases) assert.equal(renderTemplate(tpl, inspect), want, tpl);
});

test('renderTemplate rejects what it does not understand', () => {
  for (const bad of ['{{range .Config.Env}}{{.}}{{end}}', '{{nosuchfn .Id}}', '{{.Id', '{{"open}}']) {
    assert.throws(() => renderTemplate(bad, inspect), Error, bad);
  }
});

test('parseFormat strips table and expands escapes', () => {
  assert.deepEqual(parseFormat('table {{.ID}}\\t{{.Names}}'), { table: true, body: '{{.ID}}\t{{.Names}}' });
  assert.deepEqual(parseFormat('{{.ID}}'), { table: false, body: '{{.ID}}' });
  assert.deepEqual(parseFormat('table'), { table: true, body: '' });
  assert.deepEqual(parseFormat('tablet'), { table: false, body: 'tablet' });
});

test('renderHeader names columns', () => {
  assert.equal(renderHeader('{{.ID}}\t{{.Names}}\t{{upper .Status}}\t{{.CreatedAt}}', { ID: 'CONTAINER ID', Names: 'NAMES', Status: 'STATUS' }),
    'CONTAINER ID\tNAMES\tSTATUS\tCREATED AT');
});

test('goPrint formats like Go %v', () => {
  const cases: [unknown, string][] = [[null, '<nil>'], ['s', 's'], [3, '3'], [[1, 'a'], '[1 a]'], [{}, 'map[]'], [true, 'true']];
  for (const [v, want] of cases) assert.equal(goPrint(v), want);
});
