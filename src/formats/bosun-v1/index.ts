/**
 * bosun/v1: YAML manifests (`apiVersion: bosun/v1`, kinds Project, Service, Config, Network,
 * Volume). The only module of this folder that code outside src/formats/ may import.
 */
import type { DesiredStateFormat } from '../format.ts';
import { loadDesiredState } from './load.ts';
import { API_VERSION } from './parse.ts';
import { readProjectName } from './project-name.ts';
import { recognisesBosunV1 } from './recognise.ts';

export const bosunV1: DesiredStateFormat = {
  name: API_VERSION,
  recognises: recognisesBosunV1,
  load: loadDesiredState,
  projectName: readProjectName,
};
