import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import type { ImageRunConfig } from '../oci/image.js';
import { applyChanges } from './changes.js';

test('applyChanges: one change at a time', () => {
  const base: ImageRunConfig = { Env: ['PATH=/bin', 'A=1'], WorkingDir: '/app', Labels: { keep: 'yes' } };
  const cases: { change: string; want: Partial<ImageRunConfig> }[] = [
    { change: 'CMD ["echo","hi there"]', want: { Cmd: ['echo', 'hi there'] } },
    { change: 'CMD echo hi', want: { Cmd: ['/bin/sh', '-c', 'echo hi'] } },
    { change: 'cmd ["lower"]', want: { Cmd: ['lower'] } },
    { change: 'CMD [not json', want: { Cmd: ['/bin/sh', '-c', '[not json'] } },
    { change: 'ENTRYPOINT ["/ep", "-x"]', want: { Entrypoint: ['/ep', '-x'] } },
    { change: 'ENTRYPOINT exec top -b', want: { Entrypoint: ['/bin/sh', '-c', 'exec top -b'] } },
    { change: 'ENV B=2', want: { Env: ['PATH=/bin', 'A=1', 'B=2'] } },
    { change: 'ENV A=9 C="x y"', want: { Env: ['PATH=/bin', 'A=9', 'C=x y'] } },
    { change: 'ENV GREETING hello world', want: { Env: ['PATH=/bin', 'A=1', 'GREETING=hello world'] } },
    { change: 'ENV EMPTY=', want: { Env: ['PATH=/bin', 'A=1', 'EMPTY='] } },
    { change: 'LABEL a=b "c d"=e', want: { Labels: { keep: 'yes', a: 'b', 'c d': 'e' } } },
    { change: 'LABEL version 1.0', want: { Labels: { keep: 'yes', version: '1.0' } } },
    { change: 'EXPOSE 80 443/udp 8000-8001', want: { ExposedPorts: { '80/tcp': {}, '443/udp': {}, '8000-8001/tcp': {} } } },
    { change: 'EXPOSE 53/UDP', want: { ExposedPorts: { '53/udp': {} } } },
    { change: 'VOLUME ["/data", "/logs"]', want: { Volumes: { '/data': {}, '/logs': {} } } },
    { change: 'VOLUME /a /b', want: { Volumes: { '/a': {}, '/b': {} } } },
    { change: 'WORKDIR /srv', want: { WorkingDir: '/srv' } },
    { change: 'WORKDIR sub', want: { WorkingDir: '/app/sub' } },
    { change: 'USER 1000:1000', want: { User: '1000:1000' } },
    { change: 'STOPSIGNAL SIGINT', want: { StopSignal: 'SIGINT' } },
    { change: 'ONBUILD RUN true', want: { OnBuild: ['RUN true'] } },
  ];
  for (const c of cases) {
    const got = applyChanges(base, [c.change]);
    assert.deepEqual(got, { ...base, ...c.want }, c.change);
  }
});

test('applyChanges applies in order and does not mutate its input', () => {
  const base: ImageRunConfig = { Env: ['A=1'] };
  const got = applyChanges(base, ['WORKDIR a', 'WORKDIR b', '', 'ENV A=2', 'CMD ["x"]', 'CMD ["y"]']);
  assert.deepEqual(got, { Env: ['A=2'], WorkingDir: '/a/b', Cmd: ['y'] });
  assert.deepEqual(base, { Env: ['A=1'] });
});

test('applyChanges rejects invalid changes with invalid-argument', () => {
  const cases: { change: string; message: RegExp }[] = [
    { change: 'FROM busybox', message: /^FROM is not a valid change command$/ },
    { change: 'RUN echo', message: /^RUN is not a valid change command$/ },
    { change: 'EXPOSE http', message: /invalid containerPort: http/ },
    { change: 'ENV', message: /ENV requires at least one argument/ },
    { change: 'ENV =x', message: /names can not be blank/ },
    { change: 'ENV lonely', message: /must have two arguments/ },
    { change: 'LABEL "a=b', message: /unterminated quote/ },
  ];
  for (const c of cases) {
    assert.throws(() => applyChanges({}, [c.change]), (err: unknown) => {
      assert.ok(err instanceof BerthError);
      assert.equal(err.kind, 'invalid-argument');
      assert.match(err.message, c.message, c.change);
      return true;
    }, c.change);
  }
});
