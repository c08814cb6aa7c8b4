using System.Runtime.CompilerServices;

// The fidelity tests shrink internal limits (watch history) to reach edge cases quickly.
[assembly: InternalsVisibleTo("HybridMesh.Lab.Tests")]
[assembly: InternalsVisibleTo("HybridMesh.Engine.Tests")]
