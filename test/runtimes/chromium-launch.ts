// How every test launches headless Chromium: Debian's `chromium` package at /usr/bin/chromium
// (.ci/run installs it when missing), never a browser downloaded by Playwright.
export const CHROMIUM_PATH = '/usr/bin/chromium'

export const CHROMIUM = {
  executablePath: CHROMIUM_PATH,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
}
