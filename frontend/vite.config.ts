import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app is served by Starlette from dist/; during `npm run dev` the API is proxied.
// Two entries: the web app (index.html) and the public pages' viewer script, whose built
// file the server finds in the manifest (dist/.vite/manifest.json). Paths are relative to frontend/, where the build runs.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    manifest: true,
    rollupOptions: {
      input: {
        app: "index.html",
        public: "src/public/viewer.tsx",
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000", "/socket.io": { target: "ws://127.0.0.1:8000", ws: true } } },
});
