import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app is served by Starlette from dist/; during `npm run dev` the API is proxied.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: { proxy: { "/api": "http://127.0.0.1:8000", "/socket.io": { target: "ws://127.0.0.1:8000", ws: true } } },
});
