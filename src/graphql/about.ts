import type { ServiceName } from '../errors.js';

export interface AboutShape {
  services: { name: ServiceName; mode: 'REAL' | 'SIMULATED' | 'ABSENT'; endpoint: string | null }[];
}
