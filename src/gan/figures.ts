/**
 * Figure 1 of the paper (stub, filled in below).
 */
export interface FigureOptions {
  out: string;
  seed: number;
  force: boolean;
  iters?: number;
  log?: (line: string) => void;
}

export async function runFigure(name: 'fig1a' | 'fig1b', opts: FigureOptions): Promise<string[]> {
  void opts;
  throw new Error(`figure ${name}: not implemented yet`);
}
