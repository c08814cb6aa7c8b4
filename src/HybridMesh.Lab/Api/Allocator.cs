namespace HybridMesh.Lab.Api;

/// <summary>Per-cluster cluster-IP and node-port allocation (10.1.0.0/16 and 30000-32767, like the recording).</summary>
public sealed class Allocator
{
    private int _nextIp = 10;
    private int _nextPort = 30000;
    private readonly HashSet<int> _usedPorts = [];

    public string NextClusterIp()
    {
        var n = Interlocked.Increment(ref _nextIp);
        return $"10.1.{(n >> 8) & 0xff}.{n & 0xff}";
    }

    public int NextNodePort()
    {
        lock (_usedPorts)
        {
            while (!_usedPorts.Add(_nextPort)) _nextPort = _nextPort >= 32767 ? 30000 : _nextPort + 1;
            return _nextPort;
        }
    }
}
