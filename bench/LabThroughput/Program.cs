using System.Globalization;
using HybridMesh.Bench.LabThroughput;

// dotnet bench/LabThroughput/bin/<configuration>/net10.0/LabThroughput.dll [requests]
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
return await GetThroughput.RunAsync(count);
