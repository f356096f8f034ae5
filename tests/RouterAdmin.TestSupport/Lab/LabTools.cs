namespace RouterAdmin.TestSupport.Lab;

/// <summary>Finds the lab's system binaries, which live in sbin directories that a non-login PATH may lack.</summary>
public static class LabTools
{
    private static readonly string[] SbinDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    public static string? Find(string name)
    {
        if (name.Contains('/'))
            return File.Exists(name) ? name : null;

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SbinDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }

    public static string Resolve(string name) =>
        Find(name) ?? throw new FileNotFoundException($"'{name}' was not found on PATH or in {string.Join(", ", SbinDirectories)}.", name);
}
