"""Workflow layer: what a face (CLI, service, sweep) asks for, once.

It sits above the engines and outputs and below the faces: plan -> simulate -> certify ->
compare, passing typed results in memory, so that every face shares one orchestration.
"""
