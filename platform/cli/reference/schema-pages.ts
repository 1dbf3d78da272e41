/**
 * The file formats' pages of docs/reference/ from their TypeBox schemas: cluster scenarios, node profiles,
 * device profiles (one section per registered device kind), and TCO scenarios with the cost
 * catalogue. Each page is a list of schema documents rendered by schema-reference.ts.
 */
import { Type } from '@sinclair/typebox';
import { ClusterScenarioWithNodeListSchema, NodeGroupSchema } from '../../../bench/scenario/schema.js';
import { NodeProfileSchema as DiscoveredNodeSchema } from '../../../bench/discovery/discovered-node.js';
import { deviceKind, deviceKinds } from '../../../sim/devices/index.js';
import { NodeProfileFile } from '../../domain/node-profile.js';
import { ScenarioSchema as TcoScenarioSchema } from '../../../reports/tco/scenario-schema.js';
import { CatalogueFileSchema } from '../../../reports/tco/catalogue-schema.js';
import { generatedBanner, page, text } from './markdown.js';
import { resolveSectionLinks, schemaDocument, type SchemaDocument } from './schema-reference.js';

const HOW_TO_READ =
  "Each table lists an object's fields: **required** fields must be given; a field with a default may be left out. " +
  '"allowed" gives the range the file is checked against; an error names the file, line and field (see [errors.md](errors.md)).';

function schemaPage(title: string, sources: string, intro: string, docs: readonly SchemaDocument[]): string {
  return resolveSectionLinks(page([generatedBanner(sources), `# ${title}`, intro, HOW_TO_READ, ...docs.map(schemaDocument)]));
}

/** docs/reference/cluster-scenario.md */
export function clusterScenarioReference(): string {
  const scenario = ClusterScenarioWithNodeListSchema;
  // `nodes` is a list of nodes or a group of one profile; the loader picks the schema by its shape.
  const withBothNodeForms = {
    ...scenario,
    properties: { ...scenario.properties, nodes: Type.Union([scenario.properties.nodes, NodeGroupSchema]) },
  };
  return schemaPage(
    'Cluster scenario',
    'bench/scenario/schema.ts',
    'A cluster to place and run on the model: `anvil run SCENARIO`, `anvil check`, `anvil scenario validate` (examples in `bench/scenarios/`).',
    [
      {
        title: 'Cluster scenario (`kind: ClusterScenario`)',
        intro:
          'A YAML file; names refer to each other (pods to tenants, workloads to pods and volumes), which the loader checks after the schema.',
        root: 'scenario',
        schema: withBothNodeForms,
      },
    ],
  );
}

/** docs/reference/node-profile.md */
export function nodeProfileReference(): string {
  return schemaPage(
    'Node profiles',
    'platform/domain/node-profile.ts and bench/discovery/discovered-node.ts',
    "What one node has. Built-in profiles live in `platform/node-profiles/`; a path to a YAML file of the same shape works wherever a profile is named (`anvil cluster create --node-profile`, a cluster scenario's `profile:`).",
    [
      {
        title: 'Node profile',
        intro: "The control plane's node profile; `anvil host inspect --out FILE` writes one from a measured machine.",
        root: 'node-profile',
        schema: NodeProfileFile,
      },
      {
        title: 'Discovered node',
        intro: 'What `anvil host inspect` finds on a machine (`-o json` or `-o yaml`).',
        root: 'discovered-node',
        schema: DiscoveredNodeSchema,
      },
    ],
  );
}

/** docs/reference/device-profiles.md: the parameters of each registered device kind. */
export function deviceProfilesReference(): string {
  const kinds = [...deviceKinds()].sort().map((name) => deviceKind(name)!);
  return schemaPage(
    'Device profiles',
    'the schemas of the device kinds under sim/devices/',
    "A device profile is a YAML file naming its device kind (`kind:`) and giving that kind's parameters. Built-in profiles live in `sim/profiles/` (`anvil profiles` lists them, `anvil devices` the kinds); `--profile PATH` takes a file. Every profile may also carry `name` (the drive it describes), `description`, `sources` and `datasheet`.",
    kinds.map((kind) => ({ title: `Device kind \`${kind.name}\``, intro: text(kind.description), root: kind.name, schema: kind.schema })),
  );
}

/** docs/reference/tco-scenario.md: the TCO scenario and the cost catalogue. */
export function tcoReference(): string {
  return schemaPage(
    'TCO scenario and cost catalogue',
    'reports/tco/scenario-schema.ts and reports/tco/catalogue-schema.ts',
    'The input of `anvil tco SCENARIO` (example: `reports/scenarios/reference.yaml`) and the cost figures it prices stacks with.',
    [
      {
        title: 'TCO scenario (`kind: TcoScenario`)',
        intro:
          "The customer's workload, the servers, the horizon and money settings, the stacks to compare and the catalogue figures replaced.",
        root: 'tco',
        schema: TcoScenarioSchema,
      },
      {
        title: 'Cost catalogue',
        intro: 'Figure ids mapped to figures, each with its source and year (`reports/tco/catalogue/`).',
        root: 'catalogue',
        schema: CatalogueFileSchema,
      },
    ],
  );
}
