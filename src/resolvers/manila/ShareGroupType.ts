import type { ShareGroupTypeResolvers } from '../../generated/graphql.js';
import { keyValues } from '../cinder/keyValues.js';
import { presentNow } from '../present.js';

export const ShareGroupType: ShareGroupTypeResolvers = {
  isPublic: (t) => t.is_public,
  isDefault: (t) => t.is_default ?? null,
  // Manila always shows group specs (unlike Cinder, which hides them from non-admins).
  groupSpecs: (t) => keyValues(t.group_specs, 'manila') ?? [],
  shareTypes: (t, _, ctx) => presentNow(ctx.manila().loaders.shareTypeById.manyNow(t.share_types ?? [])),
};
