// `import m from "./x.wasm"` as Cloudflare workerd (and wrangler) resolve it: a compiled module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
