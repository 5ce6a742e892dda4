/** Who owns which Cinder group: the ids are those of groupgraph's demo simulator (src/simulator/cinder/seed.ts). */
export interface TeamRecord {
  id: string;
  name: string;
  groupIds: string[];
}

export const DEMO_TEAMS: TeamRecord[] = [
  {
    id: 'team-databases',
    name: 'Databases',
    groupIds: ['9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01', '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b04'],
  },
  {
    id: 'team-web',
    name: 'Web',
    groupIds: ['9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b02', '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b03'],
  },
];
