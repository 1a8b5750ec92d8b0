/**
 * What the loader needs to know about each ELF machine: one row per (machine, class).
 * `triplet` is the Debian multiarch directory, `platform` the value of $PLATFORM (AT_PLATFORM),
 * `libdirs` the non-multiarch default directories searched after the multiarch ones.
 */
export interface MachineRow {
  readonly machine: number;
  readonly class: 32 | 64;
  readonly endian?: 'le' | 'be';
  readonly triplet: string;
  readonly platform: string;
  readonly libdirs: readonly string[];
}

const LIB64 = ['/lib64', '/usr/lib64'] as const;
const LIB32 = ['/lib32', '/usr/lib32'] as const;

export const EM = { I386: 3, SPARC: 2, ARM: 40, X86_64: 62, PPC: 20, PPC64: 21, S390: 22, AARCH64: 183, RISCV: 243 } as const;

export const MACHINES: readonly MachineRow[] = Object.freeze([
  { machine: EM.X86_64, class: 64, triplet: 'x86_64-linux-gnu', platform: 'x86_64', libdirs: LIB64 },
  { machine: EM.X86_64, class: 32, triplet: 'x86_64-linux-gnux32', platform: 'x86_64', libdirs: ['/libx32', '/usr/libx32'] },
  { machine: EM.I386, class: 32, triplet: 'i386-linux-gnu', platform: 'i686', libdirs: LIB32 },
  { machine: EM.AARCH64, class: 64, triplet: 'aarch64-linux-gnu', platform: 'aarch64', libdirs: LIB64 },
  { machine: EM.ARM, class: 32, triplet: 'arm-linux-gnueabihf', platform: 'v7l', libdirs: [] },
  { machine: EM.PPC64, class: 64, endian: 'le', triplet: 'powerpc64le-linux-gnu', platform: 'power8', libdirs: LIB64 },
  { machine: EM.PPC64, class: 64, endian: 'be', triplet: 'powerpc64-linux-gnu', platform: 'power8', libdirs: LIB64 },
  { machine: EM.S390, class: 64, triplet: 's390x-linux-gnu', platform: 'z196', libdirs: LIB64 },
  { machine: EM.RISCV, class: 64, triplet: 'riscv64-linux-gnu', platform: 'riscv64', libdirs: LIB64 },
] satisfies MachineRow[]);

export const machineRow = (machine: number, cls: 32 | 64, endian: 'le' | 'be'): MachineRow | undefined =>
  MACHINES.find((r) => r.machine === machine && r.class === cls && (r.endian === undefined || r.endian === endian));
