"""iadsim.analysis.report: offline HTML reports, figures and Tacview export."""
