// EBS: the EC2 console opened on its volumes.
import { Ec2Console } from '../parts/ec2-console.js';

export default () => <Ec2Console initial="volumes" title="Amazon EBS" />;
