import type { Command } from 'commander';
import { collect, type Runner, withCommon } from '../flags.ts';

export function proxy(program: Command, run: Runner): void {
  withCommon(
    program
      .command('proxy')
      .description(
        "local ports in front of services' healthy replicas: haproxy, rendered from the endpoints in etcd and reloaded on every change",
      )
      .option(
        '--listen <[project/]service=[host:]port>',
        'a local port for a service (host default 127.0.0.1, project default --project); repeatable',
        collect,
        [],
      )
      .option(
        '--mode <tcp|http>',
        'tcp forwards any protocol; http also retries requests a closing replica dropped [default tcp]',
      )
      .option('--haproxy <file>', 'the haproxy binary [BOSUN_HAPROXY, default: haproxy on PATH or in /usr/sbin]')
      .option('--run-dir <dir>', "where haproxy's configuration and sockets live [default: a new temporary folder]"),
  ).action(run(async () => (await import('../proxy.ts')).proxyCommand));
}
