// jsonwebtoken ships no types (and @types/jsonwebtoken is not a dependency): the two calls the
// benchmarks make.
declare module 'jsonwebtoken' {
  const jsonwebtoken: {
    verify(token: string, secret: string, options: { algorithms: string[] }): unknown
    sign(payload: object, secret: string, options: { algorithm: string; expiresIn: number }): string
  }
  export default jsonwebtoken
}
