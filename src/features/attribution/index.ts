export * from './path-models.ts';
export { attributeWorkspace, type CreditRow, type WorkspaceAttribution, type WorkspaceAttributionInput } from './attribution.service.ts';
export { channelRulesJsonSchema, ChannelGrouping, ChannelRulesSchema, DEFAULT_CHANNEL_RULES, normalizeUtmValue, parseChannelRulesYaml, type ChannelRulesConfig } from './channel-rules.ts';
export { deriveTouchpoints, TOUCH_EVENTS, type Touchpoint } from './touchpoints.ts';
export { DIMENSIONS, parseDimension, type Dimension } from './workspace-journeys.ts';
export { quarterStart, registerAttributionRoutes } from './attribution.routes.ts';
export { getAttributionSettings, saveAttributionSettings, type AttributionSettings } from './attribution-settings.ts';
