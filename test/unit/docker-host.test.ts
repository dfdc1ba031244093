import { strict as assert } from 'node:assert';
import {
  type DockerConnectOptions,
  describeTarget,
  parseDockerHost,
  resolveDockerTarget,
} from '../../src/backends/docker/host.ts';
import { sshArgs } from '../../src/backends/docker/ssh.ts';
import { tlsFailure } from '../../src/backends/docker/tls.ts';
import { BosunError } from '../../src/errors.ts';

const HOME = '/home/u';
const resolve = (o: DockerConnectOptions, env: Record<string, string> = {}) => resolveDockerTarget(o, env, HOME);

/** The expected TLS files under a cert directory, none named by a flag. */
const filesIn = (dir: string, verify: boolean) => ({
  verify,
  ca: `${dir}/ca.pem`,
  cert: `${dir}/cert.pem`,
  key: `${dir}/key.pem`,
  certNamed: false,
  keyNamed: false,
});

function refusal(value: string, source?: string): string {
  try {
    parseDockerHost(value, source);
  } catch (err) {
    assert.ok(err instanceof BosunError);
    assert.equal(err.code, 'E_DOCKER_HOST');
    return err.message;
  }
  assert.fail(`"${value}" was accepted`);
}

describe('docker host: DOCKER_HOST values parsed as the docker CLI parses them', () => {
  const accepted: [string, unknown][] = [
    ['unix:///var/run/docker.sock', { scheme: 'unix', socketPath: '/var/run/docker.sock' }],
    ['unix:///run/other.sock', { scheme: 'unix', socketPath: '/run/other.sock' }],
    ['unix://', { scheme: 'unix', socketPath: '/var/run/docker.sock' }],
    ['tcp://10.0.0.5:2376', { scheme: 'tcp', host: '10.0.0.5', port: 2376 }],
    ['tcp://10.0.0.5', { scheme: 'tcp', host: '10.0.0.5', port: 2375 }],
    ['tcp://', { scheme: 'tcp', host: 'localhost', port: 2375 }],
    ['tcp://10.0.0.5:2376/', { scheme: 'tcp', host: '10.0.0.5', port: 2376 }],
    ['TCP://Docker.Example:1234', { scheme: 'tcp', host: 'Docker.Example', port: 1234 }],
    ['tcp://[::1]:2376', { scheme: 'tcp', host: '::1', port: 2376 }],
    ['localhost:1234', { scheme: 'tcp', host: 'localhost', port: 1234 }],
    ['  tcp://h:1  ', { scheme: 'tcp', host: 'h', port: 1 }],
  ];
  for (const [value, expected] of accepted) {
    it(`reads ${JSON.stringify(value)}`, () => assert.deepEqual(parseDockerHost(value), expected));
  }

  it('reads ssh://[user@]host[:port] and refuses what docker refuses in it', () => {
    assert.deepEqual(parseDockerHost('ssh://deploy@docker.example:2222'), {
      scheme: 'ssh',
      host: 'docker.example',
      user: 'deploy',
      port: 2222,
    });
    assert.deepEqual(parseDockerHost('ssh://docker.example'), { scheme: 'ssh', host: 'docker.example' });
    assert.match(refusal('ssh://u:secret@h'), /a password in the URL is not supported: use an ssh key or agent$/);
    assert.match(refusal('ssh://u@h/var/run/docker.sock'), /nothing may follow HOST\[:PORT\]$/);
    assert.match(refusal('ssh://h?x=1'), /nothing may follow HOST\[:PORT\]$/);
  });

  it('runs ssh as the docker CLI does, never prompting', () => {
    assert.deepEqual(sshArgs({ scheme: 'ssh', host: 'h', user: 'u', port: 2222 }), [
      ...['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T', '-l', 'u', '-p', '2222'],
      ...['--', 'h', 'docker', 'system', 'dial-stdio'],
    ]);
    assert.deepEqual(sshArgs({ scheme: 'ssh', host: 'h' }).slice(-5), ['--', 'h', 'docker', 'system', 'dial-stdio']);
  });

  it('refuses schemes the docker CLI refuses, saying what to write instead', () => {
    assert.equal(
      refusal('https://h:2376', '--docker-host'),
      '--docker-host "https://h:2376" is not a Docker host: use tcp://HOST:PORT with DOCKER_TLS_VERIFY=1 or ' +
        '--docker-tlsverify (the docker CLI does not accept https://)',
    );
    assert.match(refusal('http://h:2375'), /: use tcp:\/\/HOST:PORT \(the docker CLI does not accept http:\/\/\)$/);
    assert.match(
      refusal('ftp://h'),
      /: bosun accepts unix:\/\/, tcp:\/\/ \(with DOCKER_TLS_VERIFY for TLS\) and ssh:\/\/$/,
    );
    assert.match(refusal('npipe:////./pipe/docker_engine'), /Windows named pipe/);
    assert.match(refusal('fd://3'), /clients cannot connect to it/);
  });

  it('refuses a bare socket path, a path after the port, a user, and a port that is no number', () => {
    assert.match(refusal('/var/run/docker.sock'), /for a socket path write unix:\/\/\/var\/run\/docker\.sock$/);
    assert.match(refusal('tcp://h:2376/v1.41'), /a path after HOST:PORT is not supported$/);
    assert.match(refusal('tcp://me@h:2376'), /tcp:\/\/ hosts take no user or password$/);
    assert.match(refusal('tcp://h:port'), /expected tcp:\/\/HOST:PORT$/);
  });
});

describe('docker host: flags over environment, TLS as docker turns it on', () => {
  it('talks to the local socket, without TLS, when nothing is set', () => {
    assert.deepEqual(resolve({}), { scheme: 'unix', socketPath: '/var/run/docker.sock' });
    assert.deepEqual(resolve({}, { DOCKER_HOST: '' }), { scheme: 'unix', socketPath: '/var/run/docker.sock' });
  });

  it('takes --docker-host over DOCKER_HOST, and names the flag when it is wrong', () => {
    const env = { DOCKER_HOST: 'tcp://env:2375' };
    assert.deepEqual(resolve({ host: 'unix:///run/flag.sock' }, env), { scheme: 'unix', socketPath: '/run/flag.sock' });
    assert.deepEqual(resolve({}, env), { scheme: 'tcp', host: 'env', port: 2375 });
    assert.throws(() => resolve({ host: 'http://h' }, env), /^BosunError: --docker-host "http:\/\/h"/);
    assert.throws(() => resolve({}, { DOCKER_HOST: 'http://h' }), /^BosunError: DOCKER_HOST "http:\/\/h"/);
  });

  it('turns TLS on and verifies for DOCKER_TLS_VERIFY with any non-empty value, "0" included, as docker', () => {
    for (const value of ['1', '0', 'false', 'yes']) {
      const t = resolve({}, { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: value });
      assert.deepEqual(t, { scheme: 'tcp', host: 'h', port: 2376, tls: filesIn('/home/u/.docker', true) }, value);
    }
    assert.deepEqual(resolve({}, { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '' }), {
      scheme: 'tcp',
      host: 'h',
      port: 2376,
    });
  });

  it('turns TLS on without verifying for DOCKER_TLS or --docker-tls; --docker-tlsverify verifies', () => {
    const env = { DOCKER_HOST: 'tcp://h:2376' };
    assert.deepEqual(resolve({}, { ...env, DOCKER_TLS: '1' }).tls, filesIn('/home/u/.docker', false));
    assert.deepEqual(resolve({ tls: true }, env).tls, filesIn('/home/u/.docker', false));
    assert.deepEqual(resolve({ tlsVerify: true }, env).tls, filesIn('/home/u/.docker', true));
    assert.deepEqual(resolve({ tls: true }, { ...env, DOCKER_TLS_VERIFY: '1' }).tls, filesIn('/home/u/.docker', true));
  });

  it('finds the files in DOCKER_CERT_PATH, else DOCKER_CONFIG, else ~/.docker', () => {
    const env = { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' };
    assert.deepEqual(resolve({}, { ...env, DOCKER_CERT_PATH: '/certs' }).tls, filesIn('/certs', true));
    assert.deepEqual(resolve({}, { ...env, DOCKER_CONFIG: '/cfg' }).tls, filesIn('/cfg', true));
    assert.deepEqual(
      resolve({}, { ...env, DOCKER_CONFIG: '/cfg', DOCKER_CERT_PATH: '/certs' }).tls,
      filesIn('/certs', true),
    );
  });

  it('takes a file named by a flag over the cert directory, and marks it as required', () => {
    const t = resolve(
      { tlsVerify: true, tlsCaCert: '/f/ca', tlsCert: '/f/cert' },
      { DOCKER_HOST: 'tcp://h:2376', DOCKER_CERT_PATH: '/certs' },
    );
    assert.deepEqual(t.tls, {
      verify: true,
      ca: '/f/ca',
      cert: '/f/cert',
      key: '/certs/key.pem',
      certNamed: true,
      keyNamed: false,
    });
  });

  it('goes to tcp://localhost:2376 when TLS is on and no host is named, as docker', () => {
    const t = resolve({}, { DOCKER_TLS_VERIFY: '1' });
    assert.deepEqual(
      [t.scheme, t.scheme === 'tcp' && t.host, t.scheme === 'tcp' && t.port],
      ['tcp', 'localhost', 2376],
    );
  });

  it('keeps the TLS files of a unix socket (docker reads them, then talks plain to the socket)', () => {
    const t = resolve({ host: 'unix:///run/x.sock' }, { DOCKER_TLS_VERIFY: '1' });
    assert.deepEqual(t, { scheme: 'unix', socketPath: '/run/x.sock', tls: filesIn('/home/u/.docker', true) });
  });

  it('refuses to guess when docker would use a context, unless a host is named', () => {
    assert.throws(
      () => resolve({}, { DOCKER_CONTEXT: 'prod' }),
      (e: unknown) =>
        e instanceof BosunError &&
        e.code === 'E_DOCKER_HOST' &&
        e.message ===
          'the docker CLI would use context "prod" (DOCKER_CONTEXT), which bosun does not read: ' +
            'name the engine with DOCKER_HOST or --docker-host (docker context inspect prod shows it)',
    );
    assert.throws(
      () => resolveDockerTarget({}, {}, HOME, 'remote'),
      /context "remote" \(currentContext in the docker config\.json\)/,
    );
    assert.deepEqual(resolveDockerTarget({}, { DOCKER_CONTEXT: 'default' }, HOME, 'default'), {
      scheme: 'unix',
      socketPath: '/var/run/docker.sock',
    });
    const named = resolveDockerTarget({}, { DOCKER_CONTEXT: 'prod', DOCKER_HOST: 'tcp://h:1' }, HOME, 'remote');
    assert.equal(describeTarget(named), 'tcp://h:1');
    assert.equal(
      describeTarget(resolveDockerTarget({ host: 'unix:///x' }, { DOCKER_CONTEXT: 'prod' }, HOME)),
      'unix:///x',
    );
  });

  it('describes the target for messages, saying whether the engine is verified', () => {
    assert.equal(describeTarget(resolve({})), 'unix:///var/run/docker.sock');
    assert.equal(describeTarget(resolve({ host: 'tcp://h:2375' })), 'tcp://h:2375');
    assert.equal(
      describeTarget(resolve({ host: 'tcp://h:2376', tlsVerify: true })),
      'tcp://h:2376 (TLS, engine verified)',
    );
    assert.equal(
      describeTarget(resolve({ host: 'tcp://h:2376', tls: true })),
      'tcp://h:2376 (TLS, engine NOT verified)',
    );
    assert.equal(describeTarget(resolve({ host: 'tcp://[::1]:2376' })), 'tcp://[::1]:2376');
    assert.equal(describeTarget(resolve({ host: 'ssh://u@h:2222' })), 'ssh://u@h:2222');
    assert.equal(describeTarget(resolve({ host: 'ssh://h' })), 'ssh://h');
  });
});

describe('docker host: a failed TLS handshake as one line that says which side refused what', () => {
  const files = {
    verify: true,
    ca: '/c/ca.pem',
    cert: '/c/cert.pem',
    key: '/c/key.pem',
    certNamed: false,
    keyNamed: false,
  };
  const withCert = { verify: true, ca: Buffer.from(''), cert: Buffer.from(''), key: Buffer.from(''), files };
  const noCert = { verify: true, ca: Buffer.from(''), files };
  const at = 'tcp://h:2376 (TLS, engine verified)';
  const why = (err: object, m: typeof withCert | typeof noCert | undefined) => {
    const e = tlsFailure(err, at, m);
    assert.equal(e?.code, 'E_DOCKER_TLS');
    return e?.message.replace(`TLS to the Docker engine at ${at} failed: `, '');
  };

  it('names the CA file for an engine certificate it does not vouch for', () => {
    for (const code of [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    ]) {
      assert.equal(
        why({ code }, withCert),
        "the engine's certificate is not signed by the CA in /c/ca.pem (unknown authority)",
      );
    }
    assert.equal(why({ code: 'CERT_HAS_EXPIRED' }, withCert), "the engine's certificate has expired");
  });

  it('tells a missing client certificate from a refused one', () => {
    const alert = { code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', reason: 'sslv3 alert bad certificate' };
    assert.equal(
      why(alert, noCert),
      'the engine requires a client certificate and none was given (no /c/cert.pem; set DOCKER_CERT_PATH or --docker-tlscert/--docker-tlskey)',
    );
    assert.equal(
      why(alert, withCert),
      'the engine refused the client certificate /c/cert.pem (sslv3 alert bad certificate)',
    );
    assert.match(
      why({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }, noCert) ?? '',
      /requires a client certificate/,
    );
  });

  it('says the engine speaks TLS when plain HTTP got the Go server answer, and leaves other errors alone', () => {
    const plain = {
      statusCode: 400,
      message: '(HTTP code 400) unexpected - Client sent an HTTP request to an HTTPS server.',
    };
    assert.match(why(plain, undefined) ?? '', /^the engine speaks TLS; set DOCKER_TLS_VERIFY=1/);
    assert.equal(tlsFailure({ code: 'ECONNREFUSED' }, at, withCert), undefined);
    assert.equal(tlsFailure({ statusCode: 404, message: 'no such container' }, at, undefined), undefined);
  });
});
