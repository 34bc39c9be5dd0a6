"""Expert-workstation proposals (学会专家工作站): the rule, the documents, the life cycle."""
