/** CSV (RFC 4180 quoting), pure. A null cell is empty, an empty string is `""`, as Athena writes them. */

export function csvField(value: string | undefined): string {
  if (value === undefined) return '';
  if (value === '' || /[",\r\n]/.test(value) || /^\s|\s$/.test(value)) {
    return `"${value.replace(/"/g, '""')}"`;
  }
  return value;
}

export function csvLine(values: (string | undefined)[]): string {
  return values.map(csvField).join(',') + '\n';
}
