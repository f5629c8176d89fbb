/**
 * Types for the @grafana/grafana-foundation-sdk entry points the dashboard uses. The package maps
 * each entry point ("@grafana/grafana-foundation-sdk/dashboard") to its dist/ folder through
 * package.json "exports", which Node follows at run time but TypeScript's node10 resolution (this
 * project's) ignores: these declarations give each entry point the types of the folder it maps to,
 * and the compiled require() keeps the exported name.
 */
/* eslint-disable no-restricted-imports -- the SDK's own dist/ folders (what its "exports" map to), not this project's compiled output */
declare module "@grafana/grafana-foundation-sdk/common" {
  export * from "@grafana/grafana-foundation-sdk/dist/common";
}
declare module "@grafana/grafana-foundation-sdk/dashboard" {
  export * from "@grafana/grafana-foundation-sdk/dist/dashboard";
}
declare module "@grafana/grafana-foundation-sdk/prometheus" {
  export * from "@grafana/grafana-foundation-sdk/dist/prometheus";
}
declare module "@grafana/grafana-foundation-sdk/stat" {
  export * from "@grafana/grafana-foundation-sdk/dist/stat";
}
declare module "@grafana/grafana-foundation-sdk/timeseries" {
  export * from "@grafana/grafana-foundation-sdk/dist/timeseries";
}
