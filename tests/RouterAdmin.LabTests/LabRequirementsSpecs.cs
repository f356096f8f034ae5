using RouterAdmin.LabTests.Lab;
using Xunit;

namespace RouterAdmin.LabTests;

/// <summary>The skip-or-fail decision, which must hold on machines where the lab cannot run (no root needed).</summary>
public sealed class LabRequirementsSpecs
{
    private static string? AllTools(string name) => $"/usr/sbin/{name}";

    [Fact]
    public void Root_with_every_tool_runs_the_lab()
    {
        var problems = LabRequirements.FindProblems(0, AllTools, _ => true);

        Assert.Empty(problems);
        Assert.Equal(LabVerdict.Run, LabRequirements.Decide(problems, required: true).Verdict);
    }

    [Fact]
    public void A_developer_without_root_gets_a_skip_that_says_why()
    {
        var decision = LabRequirements.Decide(LabRequirements.FindProblems(1000, AllTools, _ => true), required: false);

        Assert.Equal(LabVerdict.Skip, decision.Verdict);
        Assert.Contains("root (running as euid 1000", decision.Reason);
    }

    [Fact]
    public void When_ci_requires_the_lab_a_missing_tool_is_a_failure_naming_the_tool()
    {
        var problems = LabRequirements.FindProblems(0, name => name == "conntrack" ? null : AllTools(name), _ => true);
        var decision = LabRequirements.Decide(problems, required: true);

        Assert.Equal(LabVerdict.Fail, decision.Verdict);
        Assert.Contains("the tools conntrack", decision.Reason);
        Assert.Contains("ROUTERADMIN_LAB=require", decision.Reason);
    }
}
