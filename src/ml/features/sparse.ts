/**
 * Sparse feature vectors (sorted indices + values) and row-compressed matrices of them. Hashed
 * n-gram features have a few hundred non-zeros out of 2^12–2^16 buckets, so every trainer and the
 * fixed-point inference iterate only over the non-zeros.
 */
export type SparseVector = { indices: Int32Array; values: Float64Array };

/** Compressed sparse rows: row i is indices/values[indptr[i] .. indptr[i+1]). */
export type CsrMatrix = { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; values: Float64Array };

export function csrFromRows(rows: readonly SparseVector[], cols: number): CsrMatrix {
  let nnz = 0;
  for (const r of rows) nnz += r.indices.length;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    indices.set(rows[i].indices, at);
    values.set(rows[i].values, at);
    at += rows[i].indices.length;
    indptr[i + 1] = at;
  }
  return { rows: rows.length, cols, indptr, indices, values };
}

/** Row i as a SparseVector (views into the matrix, no copy). */
export function csrRow(m: CsrMatrix, i: number): SparseVector {
  const s = m.indptr[i], e = m.indptr[i + 1];
  return { indices: m.indices.subarray(s, e), values: m.values.subarray(s, e) };
}

/** The rows listed in `which`, in that order, as a new matrix. */
export function csrSelect(m: CsrMatrix, which: ArrayLike<number>): CsrMatrix {
  const rows: SparseVector[] = [];
  for (let i = 0; i < which.length; i++) rows.push(csrRow(m, which[i]));
  return csrFromRows(rows, m.cols);
}

export function denseToSparse(dense: ArrayLike<number>): SparseVector {
  let nnz = 0;
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nnz++;
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let at = 0;
  for (let i = 0; i < dense.length; i++) {
    if (dense[i] !== 0) {
      indices[at] = i;
      values[at++] = dense[i];
    }
  }
  return { indices, values };
}

export function sparseToDense(x: SparseVector, size: number): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < x.indices.length; i++) out[x.indices[i]] = x.values[i];
  return out;
}

/** Mean number of non-zeros per row. */
export function meanNnz(m: CsrMatrix): number {
  return m.rows === 0 ? 0 : m.indptr[m.rows] / m.rows;
}

/** Mean squared L2 norm of the rows (the variance scale of W·x for unit-variance weights). */
export function meanSquaredNorm(m: CsrMatrix): number {
  let s = 0;
  for (let t = 0; t < m.values.length; t++) s += m.values[t] * m.values[t];
  return m.rows === 0 ? 0 : s / m.rows;
}
