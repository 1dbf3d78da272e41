/**
 * The cost catalogue's schema: one typebox schema gives the type, the validation (with paths) and the
 * help text. A catalogue is a mapping from figure id to a figure; every figure names its source and
 * year, or says it is a judgement.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Largest value of any figure (dollars, watts, counts): far above any real one, far below overflow. */
export const MAX_FIGURE_VALUE = 1e12;

/** Any figure's number; each required figure's domain (figure-domains.ts) narrows it further. */
const FigureNumber = (description?: string) =>
  Type.Number({ minimum: -MAX_FIGURE_VALUE, maximum: MAX_FIGURE_VALUE, ...(description ? { description } : {}) });

export const FigureSchema = Type.Object(
  {
    description: Type.String({ minLength: 1, description: 'what the figure is, in a few words' }),
    value: FigureNumber('the point estimate, in `unit`'),
    unit: Type.String({ minLength: 1, description: 'unit of value and range, e.g. USD/server, fraction/year' }),
    range: Type.Optional(
      Type.Tuple([FigureNumber(), FigureNumber()], {
        description: '[low, high] of a triangular distribution with `value` as its mode, for Monte Carlo and the tornado',
      }),
    ),
    source: Type.String({ minLength: 1, description: 'URL or publication the figure comes from, or what a judgement is anchored on' }),
    year: Type.Integer({ minimum: 1990, maximum: 2100, description: 'year of the source' }),
    judgement: Type.Boolean({ default: false, description: 'true when no citable figure exists and the value is a judgement' }),
  },
  { additionalProperties: false },
);

export type Figure = Static<typeof FigureSchema>;

export const CatalogueFileSchema = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), FigureSchema, {
  description: 'a mapping from figure id (lower_snake_case) to a figure',
});

/** A figure with where it was defined. */
export interface CatalogueFigure extends Figure {
  readonly id: string;
  /** The file (and for an override, the scenario) it came from. */
  readonly file: string;
  /** True when a scenario replaced the catalogue's value. */
  readonly overridden: boolean;
}

/** Every figure by id. */
export type Catalogue = ReadonlyMap<string, CatalogueFigure>;
