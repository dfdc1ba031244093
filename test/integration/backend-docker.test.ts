import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKv } from '../../src/store/file.ts';
import { backendContract } from '../helpers/backend-contract.ts';
import {
  cleanupProject,
  ensureTestImages,
  IMAGE_V1,
  IMAGE_V2,
  requireDocker,
  uniqueProject,
} from '../helpers/docker.ts';
import { service } from '../helpers/model.ts';
import { localDocker } from '../helpers/session.ts';

const IDLE = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"];

backendContract('docker (real engine)', async () => {
  await requireDocker();
  await ensureTestImages();
  const project = uniqueProject('contract');
  const dir = mkdtempSync(join(tmpdir(), 'bosun-contract-'));
  const kv = new FileKv(join(dir, 'state'));
  return {
    backend: localDocker(),
    kv,
    project,
    service: (name, version, over = {}) =>
      service(name, { image: version === 1 ? IMAGE_V1 : IMAGE_V2, command: IDLE, stopGracePeriodMs: 1000, ...over }),
    cleanup: async () => {
      await cleanupProject(project);
      await kv.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
