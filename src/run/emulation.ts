/**
 * What the page looks like to the site: a viewport, or with `device` one of Puppeteer's known devices (its screen
 * size, device scale factor, touch, mobile layout and user agent). A user agent override and touch emulation
 * outlive the document, so a session never passes from one device to another (session.ts): only the viewport size
 * is set again on a reused page.
 */
import { KnownDevices, type Page, type Viewport as PageViewport } from 'puppeteer-core';
import type { Fixture } from '../fixtures/schema.ts';
import { DEFAULT_VIEWPORT } from './page-signals.ts';

export interface Emulation {
  /** The device emulated, or null for a plain desktop viewport. */
  device: string | null;
  viewport: PageViewport;
  /** The device's user agent; null keeps the browser's own. */
  userAgent: string | null;
}

/**
 * The fixture's emulation. With both `device` and `viewport`, the viewport sets the size and the device everything
 * else (scale factor, touch, mobile, user agent), as a Playwright project that spreads a device and then sets a
 * viewport does.
 */
export function emulationOf(fixture: Pick<Fixture, 'viewport' | 'device'>): Emulation {
  if (!fixture.device) return { device: null, viewport: { ...(fixture.viewport ?? DEFAULT_VIEWPORT) }, userAgent: null };
  const known = KnownDevices[fixture.device];
  return { device: fixture.device, viewport: { ...known.viewport, ...fixture.viewport }, userAgent: known.userAgent };
}

/** Sets the emulation on the page. A device's user agent must be in place before the request goes out. */
export async function applyEmulation(page: Page, emulation: Emulation): Promise<void> {
  if (emulation.userAgent === null) await page.setViewport(emulation.viewport);
  else await page.emulate({ userAgent: emulation.userAgent, viewport: emulation.viewport });
}
