/** berth's release version; keep in step with package.json. */
export const BERTH_VERSION = '0.1.0'
