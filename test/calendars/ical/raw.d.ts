// Vite's ?raw imports: fixture files (.ics, .vcf) as strings.
declare module '*?raw' {
  const text: string;
  export default text;
}
