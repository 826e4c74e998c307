/** Formats a time for a table cell as ISO 8601 UTC in whole seconds, e.g. 2026-12-05T03:41:28Z. The fraction is dropped, not rounded. */
export function tableTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** One column of a text table: its header and the side its cells align to (right for numbers). */
export interface TableColumn {
  header: string;
  align?: 'left' | 'right';
}

/**
 * Formats rows under a header row, columns two spaces apart and padded to their widest cell. The
 * last column is left unpadded when it aligns left, so lines end without trailing spaces.
 */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string[] {
  const lines = [columns.map((column) => column.header), ...rows];
  const widths = columns.map((_, index) => Math.max(...lines.map((cells) => cells[index]?.length ?? 0)));

  return lines.map((cells) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        if (column.align === 'right') return cell.padStart(widths[index]);
        return index === columns.length - 1 ? cell : cell.padEnd(widths[index]);
      })
      .join('  '),
  );
}
