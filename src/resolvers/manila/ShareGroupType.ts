import type { ShareGroupTypeResolvers } from '../../generated/graphql.js';
import { keyValues } from '../cinder/keyValues.js';
import { present } from './present.js';

export const ShareGroupType: ShareGroupTypeResolvers = {
  isPublic: (t) => t.is_public,
  isDefault: (t) => t.is_default ?? null,
  // Manila always shows group specs (unlike Cinder, which hides them from non-admins).
  groupSpecs: (t) => keyValues(t.group_specs) ?? [],
  shareTypes: async (t, _, ctx) => present(await ctx.manila().loaders.shareTypeById.loadMany(t.share_types ?? [])),
};
