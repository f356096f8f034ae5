namespace RouterAdmin.TestSupport;

/// <summary>Thrown instead of skipping when CI demands an environment (e.g. ROUTERADMIN_LAB=require) and it is missing.</summary>
public sealed class EnvironmentUnavailableException(string message) : Exception(message);

public enum RequirementVerdict
{
    Run,
    Skip,
    Fail,
}

/// <summary>
/// The one policy for tests that need more than a compiler: run when the machine has what they need; otherwise skip with
/// the reason on a developer's machine, and fail when the environment variable says the run demands them (CI).
/// </summary>
public readonly record struct RequirementDecision(RequirementVerdict Verdict, string Reason)
{
    public const string RequireValue = "require";

    public static bool IsDemanded(string environmentVariable) =>
        string.Equals(Environment.GetEnvironmentVariable(environmentVariable)?.Trim(), RequireValue, StringComparison.OrdinalIgnoreCase);

    public static RequirementDecision Decide(string what, IReadOnlyList<string> problems, string environmentVariable, bool demanded, string howToInclude)
    {
        if (problems.Count == 0)
            return new(RequirementVerdict.Run, "");
        var needs = $"{what} need{(what.EndsWith('s') ? "" : "s")} {string.Join("; ", problems)}.";
        return demanded
            ? new(RequirementVerdict.Fail, $"{needs} {environmentVariable}={RequireValue} is set, so this is a failure rather than a skip.")
            : new(RequirementVerdict.Skip, $"{needs} {howToInclude} (CI sets {environmentVariable}={RequireValue} to make this a failure).");
    }

    /// <summary>For code inside a running test: skip it, fail it, or let it go on.</summary>
    public void Enforce()
    {
        if (Verdict == RequirementVerdict.Fail) throw new EnvironmentUnavailableException(Reason);
        if (Verdict == RequirementVerdict.Skip) Assert.Skip(Reason);
    }
}
